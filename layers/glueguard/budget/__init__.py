"""The monthly budget: the pure cap (`cap`: expected cost, verdict, warnings) and the keeper that commits and
settles each start against the project's month (`keeper`, shared by the run guard and the upload trigger).
Its table is `adapters.spend`; AWS's own billing view is `adapters.billing`."""
