"""Hand-written SQL for the hot paths, on the ORM's models: whole-row reads (``reads``) and deferred writes sent
together (``writes``), prepared once per connection on PostgreSQL (``cursors``). Everywhere else the ORM is the
way; these exist because ``order_place`` runs under an offering's row lock and every round trip and every
millisecond of query compilation there is time the book waits."""
