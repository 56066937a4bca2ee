-- Rows loaded into the raw zone that link to nothing another source was to give them, by
-- the landed file they came from: kept, counted in no figure that needs the link, and said
-- in the run log and the quality report (indicators/publish/period_coverage.py), so every
-- landed row is accounted for. One select per link (or broken link), unioned.
--   Voice Notes whose referral id is in no landed referrals file (referral_found false).
select
    'voice_notes' as kind,
    _source_file as file,
    count(*) as row_count,
    case
        when count(*) = 1 then 'Voice Note links to no landed referral'
        else 'Voice Notes link to no landed referral'
    end as what
from {{ ref('stg_early_help__voice_notes') }}
where not referral_found
group by _source_file
union all
--   Voice Notes dated before the referral they name was made (dated_before_referral): a
--   mistyped date, or a note filed against the wrong referral; counted in no journey.
select
    'voice_notes' as kind,
    _source_file as file,
    count(*) as row_count,
    case
        when count(*) = 1 then 'Voice Note is dated before the referral it names was made'
        else 'Voice Notes are dated before the referral they name was made'
    end as what
from {{ ref('stg_early_help__voice_notes') }}
where dated_before_referral
group by _source_file
