"""Hot spots (KPI engineer)."""
