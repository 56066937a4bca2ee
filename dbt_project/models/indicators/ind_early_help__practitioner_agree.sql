-- Practitioners agreeing the Voice Note is useful, item by item (survey).
{{ early_help_survey_indicator('eh_practitioner_agree') }}
