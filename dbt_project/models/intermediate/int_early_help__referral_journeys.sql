-- One row per Early Help referral (stg_early_help__referrals, every column) with what its
-- Voice Notes and the child's later referrals say about its journey:
--   first_family_note_date: the first Voice Note of a parent or carer (null: none); a note
--     dated before its referral is none of the referral's (stg_early_help__voice_notes);
--   has_family_note: there is one (whatever its date);
--   family_note_before_hub: that note is dated on or BEFORE the hub meeting day (the same
--     day counts as before: the call precedes the meeting); null when the referral has no
--     hub meeting date;
--   days_to_family_note: days from the referral to that note (null: none);
--   child_voice_recorded: a Voice Note in the child's or young person's own voice;
--   rereferred_12m: the same child (child_pseudonym_eh) referred again on or after the
--     closure and within 365 days of it; null while open, null until the 12 months after
--     the closure's month are landed (the latest month landed is at least 12 months after
--     it: the closure's month is then wholly counted, as indicators/part_periods.csv says
--     from the indicator's `follow_up`), and null while any month from the closure's to 12
--     months after it has no referrals loaded (a month not landed, or landed with no rows:
--     a re-referral in it would be missed, so it is not known);
--   stepped_up: the outcome is a step up to children's social care; null when undecided;
--   followed_up: the referral's month and the next have referrals loaded, and neither has a
--     referrals or Voice Notes file landed that loaded no rows (raw.load_log). A referral late
--     in a month has its Voice Notes and hub meeting in the next month's files, so the
--     figures by referral month count a month once the next one is landed, and never beside
--     a month whose notes file came empty or was not landed, once the Voice Note began (its
--     first file, or the first team's declared start if earlier): its families would read
--     as unheard. A month before that is a month without notes (the spec's `starts_late`).
--     A month whose notes files hold none of a team's notes, from the team's own start,
--     while its referrals landed, is counted as not landed as well (files for some teams).
with referrals as (
    select * from {{ ref('stg_early_help__referrals') }}
),

notes as (
    select * from {{ ref('stg_early_help__voice_notes') }}
),

by_referral as (
    select
        referral_pseudonym,
        min(case when is_family_voice then date_recorded end) as first_family_note_date,
        bool_or(is_child_voice) as child_voice_recorded
    from notes
    where not dated_before_referral  -- a note before its referral counts in no journey
    group by referral_pseudonym
),

loaded_months as (  -- months with referrals loaded
    select distinct month_start from referrals
),

notes_months as (  -- months whose Voice Notes files loaded rows
    select {{ month_year_date('academic_year') }} as month_start
    from {{ source('raw', 'load_log') }}
    where kind = 'voice_notes'
    group by academic_year
    having sum(rows_loaded) > 0
),

empty_months as (  -- months whose referrals or Voice Notes files were landed, loading no rows
    select {{ month_year_date('academic_year') }} as month_start
    from {{ source('raw', 'load_log') }}
    where kind in ('early_help_referrals', 'voice_notes')
    group by kind, academic_year
    having sum(rows_loaded) = 0
    union
    -- and months of referrals since the Voice Note began with none landed (a file not
    -- landed: its families would read as unheard); months before it are before the Voice
    -- Note began (the spec's `starts_late`)
    select loaded_months.month_start
    from loaded_months
    where
        loaded_months.month_start >= (
            -- when the Voice Note began: the first Voice Notes file, with rows or not (a
            -- header-only file says it had begun), or the first team's declared start
            -- (seeds/early_help_trials.csv: the spec's `declared_start`) when earlier
            select min(began.month_start)
            from (
                select {{ month_year_date('notes_files.academic_year') }}
                    as month_start
                from {{ source('raw', 'load_log') }} as notes_files
                where notes_files.kind = 'voice_notes'
                union all
                select min(trials.starts_on) as month_start
                from {{ ref('stg_reference__early_help_trials') }} as trials
            ) as began
        )
        and loaded_months.month_start not in (select notes_months.month_start from notes_months)
    union
    -- and months whose Voice Notes files hold no note of a team that had begun (its own
    -- start in seeds/early_help_trials.csv) while its referrals landed that month: files
    -- holding only some teams' notes (the spec's declared_start per: team_code, due_with:
    -- early_help_referrals; indicators/publish/unit_gaps.py says it in the run log)
    select referred.month_start
    from (select distinct month_start, team_code from referrals) as referred
    inner join {{ ref('stg_reference__early_help_trials') }} as trials
        on
            referred.team_code = trials.team_code
            and trials.starts_on <= referred.month_start
    where
        referred.month_start in (select notes_months.month_start from notes_months)
        and not exists (
            select 1
            from {{ source('raw', 'voice_notes') }} as noted
            where
                noted.team_code = referred.team_code
                and {{ month_year_date('noted.academic_year') }}
                = referred.month_start
        )
),

gaps as (  -- closures whose 12 months of follow-up cross a month without referrals loaded
    select distinct closed.referral_pseudonym
    from referrals as closed
    cross join lateral (
        {{ months_from('closed.closure_date', 12) }}
    ) as window_months
    where
        closed.closure_date is not null
        and window_months.month_start not in (select month_start from loaded_months)
),

covered as (
    select
        cast(max(month_start) + interval '1 month' - interval '1 day' as date) as covered_to,
        max(month_start) as latest_month
    from referrals
),

again as (
    select distinct closed.referral_pseudonym
    from referrals as closed
    inner join referrals as later
        on
            closed.child_pseudonym_eh = later.child_pseudonym_eh
            and closed.referral_pseudonym <> later.referral_pseudonym
            and later.referral_date >= closed.closure_date
            and later.referral_date <= closed.closure_date + 365
)

select
    referrals.*,
    by_referral.first_family_note_date,
    by_referral.first_family_note_date is not null as has_family_note,
    case
        when referrals.hub_meeting_date is null then null
        else coalesce(by_referral.first_family_note_date <= referrals.hub_meeting_date, false)
    end as family_note_before_hub,
    cast(by_referral.first_family_note_date - referrals.referral_date as bigint) as days_to_family_note,
    coalesce(by_referral.child_voice_recorded, false) as child_voice_recorded,
    case
        when referrals.closure_date is null then null
        when
            cast(date_trunc('month', referrals.closure_date) + interval '12 months' as date)
            > covered.latest_month
            then null
        when gaps.referral_pseudonym is not null then null
        else again.referral_pseudonym is not null
    end as rereferred_12m,
    case
        when referrals.outcome is null then null
        else referrals.outcome = 'step_up_csc'
    end as stepped_up,
    (
        cast(referrals.month_start + interval '1 month' as date) in (
            select loaded_months.month_start from loaded_months
        )
        and referrals.month_start not in (
            select empty_months.month_start from empty_months
            where empty_months.month_start is not null
        )
        and cast(referrals.month_start + interval '1 month' as date) not in (
            select empty_months.month_start from empty_months
            where empty_months.month_start is not null
        )
    ) as followed_up
from referrals
cross join covered
left join by_referral
    on referrals.referral_pseudonym = by_referral.referral_pseudonym
left join again
    on referrals.referral_pseudonym = again.referral_pseudonym
left join gaps
    on referrals.referral_pseudonym = gaps.referral_pseudonym
