SCHEDULES = {
    "workorders: deadline sweep (amber, overdue, 督办)": ("workorders.sweep_deadlines", 300),
}
