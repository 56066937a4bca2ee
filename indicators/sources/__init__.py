"""Source specs: what each kind of landed file holds, declared in `sources/<kind>/*.yml`."""
