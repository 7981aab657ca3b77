"""三率 and KPI statistics (KPI engineer)."""
