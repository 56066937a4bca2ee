{% macro child_mdh_lsoa_share() -%}
{#- The share of an LSOA's households deprived in two or more Census 2021 dimensions from
    which child_mdh_local counts its FSM-eligible children (about England and Wales's share
    in 2021, 18%); fct_known_zeros reads the same. -#}
0.2
{%- endmacro %}
