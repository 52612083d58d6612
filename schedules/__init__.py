"""Background work of the bot: the outbox drain (and, as they come, the sweeps over the database)."""
