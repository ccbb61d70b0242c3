"""The matching transaction's hand-written SQL, and nothing else's (ADR 7, 8 and 10): ``order_place`` and
``order_rematch`` read the offering, its book and the licensed version in one round trip (``reads``) and write
their rows in one statement (``writes``), prepared once per connection on PostgreSQL (``cursors``). They run under
the offering's row lock, where every round trip and every millisecond of query compilation is time the book
waits. Everywhere else the ORM is the way."""
