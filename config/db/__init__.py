"""The matching's hand-written SQL, and nothing else's (ADR 7, 8, 10 and 27): a batch of orders (a matcher's, or
one order matched in process) writes its rows in one statement (``writes``), prepared once per connection on
PostgreSQL (``cursors``), under the row locks of the offerings it trades on. Its reads are the ORM's, once per
batch. Everywhere else the ORM is the way too."""
