-- Every indicator model's rows in one table, in the standard shape
-- (macros/indicators.sql). Generated from the models in models/indicators/ by `chorus
-- dbt-refresh` (`chorus new-indicator` runs it): do not edit. The build stops if a model is
-- missing here (macros/indicator_models.sql), and so does `chorus run`, before dbt starts.
-- Each model in the standard columns (macro indicator_rows): a model without
-- time_identifier (a whole year) gives null there; one that is not a median gives null
-- ordered_values (the sorted values of its interval).
{{ assert_all_indicators_collected() }}

with collected as (
    {{ indicator_rows(ref('ind_care_leavers__distance_travelled')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__divergence_mean')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__divergence_wide')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__domain_good_adviser')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__domain_good_young_person')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__domain_mean_adviser')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__domain_mean_young_person')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__in_eet')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__in_touch')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__no_voice_review')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__plan_reviewed')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__suitable_accommodation')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__suitable_but_unsafe')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__topic_unanswered_adviser')) }}
    union all
    {{ indicator_rows(ref('ind_care_leavers__topic_unanswered_young_person')) }}
    union all
    {{ indicator_rows(ref('ind_cohort__eal_share')) }}
    union all
    {{ indicator_rows(ref('ind_deprivation__child_mdh_local')) }}
    union all
    {{ indicator_rows(ref('ind_deprivation__children_idaci_most_deprived')) }}
    union all
    {{ indicator_rows(ref('ind_deprivation__gld_by_idaci_quintile')) }}
    union all
    {{ indicator_rows(ref('ind_deprivation__households_two_plus')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__asq_expected')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__asq_expected_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__below_without_concern')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__concern_but_expected')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__journey_cl_expected')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__journey_gld')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__linkage_coverage')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__red_referred_6_weeks')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__review_by_30_months')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__review_by_30_months_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__wellcomm_amber')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__wellcomm_green')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__wellcomm_parent_view')) }}
    union all
    {{ indicator_rows(ref('ind_early_communication__wellcomm_red')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__child_voice')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__child_voice_monthly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__child_voice_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__days_to_voice_note')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__days_to_voice_note_monthly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__days_to_voice_note_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__hub_meeting_recorded')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__hub_meeting_recorded_monthly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__practitioner_agree')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__rereferral_12m')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__rereferral_12m_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__step_up')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__step_up_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__voice_note_before_hub')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__voice_note_before_hub_monthly')) }}
    union all
    {{ indicator_rows(ref('ind_early_help__voice_note_before_hub_quarterly')) }}
    union all
    {{ indicator_rows(ref('ind_linked__average_elgs_by_answer')) }}
    union all
    {{ indicator_rows(ref('ind_linked__gld_by_answer')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__all_elgs_expected')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__area_expected')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__average_elgs_expected')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__cll_expected')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__elg_expected')) }}
    union all
    {{ indicator_rows(ref('ind_school_readiness__gld')) }}
    union all
    {{ indicator_rows(ref('ind_voice__channel_seldom_heard')) }}
    union all
    {{ indicator_rows(ref('ind_voice__consent_link')) }}
    union all
    {{ indicator_rows(ref('ind_voice__consent_quote')) }}
    union all
    {{ indicator_rows(ref('ind_voice__domain_positive')) }}
    union all
    {{ indicator_rows(ref('ind_voice__item_mean')) }}
    union all
    {{ indicator_rows(ref('ind_voice__item_positive')) }}
    union all
    {{ indicator_rows(ref('ind_voice__no_consent_aggregate')) }}
    union all
    {{ indicator_rows(ref('ind_voice__reach')) }}
    union all
    {{ indicator_rows(ref('ind_voice__reach_group')) }}
)

select {{ indicator_columns() }} from collected
