SCHEDULES = {
    "households: delete uploaded import files past retention": ("households.tasks.import_files_purge", 24 * 3600),
    "households: re-queue or fail imports that stopped": ("households.tasks.imports_unstick", 300),
    "households: rental expiry reminders": ("households.tasks.rental_reminders", 24 * 3600),
    "households: PIPL retention purge": ("households.tasks.retention_purge", 24 * 3600),
}
