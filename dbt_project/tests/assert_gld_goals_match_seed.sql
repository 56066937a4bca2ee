-- The GLD goals hard-coded in macros/eyfsp.sql must be exactly the seed's counts_towards_gld.
{% set gld = gld_elg_columns() %}
with seed as (
    select 'elg' || lpad(cast(elg_number as varchar), 2, '0') as elg_column, counts_towards_gld
    from {{ ref('eyfsp_early_learning_goals') }}
),

macro_list as (
    select elg_column
    from (values {% for c in gld %}('{{ c }}'){% if not loop.last %}, {% endif %}{% endfor %}) as listed (elg_column)
)

select seed.elg_column, seed.counts_towards_gld
from seed
left join macro_list using (elg_column)
where seed.counts_towards_gld <> (macro_list.elg_column is not null)
