"""Matchers: one writer per shard of order books, orders committed in batches (docs/architecture.md#matchers).

Every dataset belongs to one of ``ICHIBA_MATCHER_SHARDS`` shards (``shards.shard_of``), so all its offerings, and
every exclusivity decision about it, belong to one matcher. With ``ICHIBA_MATCHERS=streams`` the web tier checks an
order as far as it can without the book and sends it (``commands.Place``) to its shard over a Redis stream
(``streams``); the shard's matcher process (``matcher``, ``manage.py run_matcher``) owns the shard's books in
memory, matches what is waiting in arrival order and writes the whole batch in one transaction
(``marketplace.services.matching``), then answers each waiting request. In process (the default, ``make run`` and
most tests) the same matching runs in the caller's transaction, one order at a time.
"""
