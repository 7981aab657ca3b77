"""三率 KPIs and hot spots of work orders, by layer: `models` (weights, the statistics proxy and
its policy), `selectors` (the report, periods, scope), `hotspots` (clusters and rising places),
`services` (the district's weights, the audited export), `views` (pages), `api` (JSON)."""
