SCHEDULES = {
    "households: rental expiry reminders": ("households.tasks.rental_reminders", 24 * 3600),
    "households: PIPL retention purge": ("households.tasks.retention_purge", 24 * 3600),
}
