{#- The rows of a raw table that raw.quarantine does not name (by landed file and row).
    A row the ingest quarantines at the door never reaches its raw table; this leaves out
    the rows quarantined after loading, when a key declared once across periods is found
    under two (`key: across_periods:` in a source's spec; indicators/ingest/across_periods.py):
    they stay in the raw table so that the next run checks afresh. -#}
{% macro not_quarantined(relation) %}
    select landed.*
    from {{ relation }} as landed
    where not exists (
        select 1
        from {{ source('raw', 'quarantine') }} as held
        where held.file = landed._source_file
            and held."row" = cast(landed._source_row as integer)
    )
{% endmacro %}
