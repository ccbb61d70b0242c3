"""The partner API's view of the Dataspace Protocol's processes (``/api/v1/dsp/...``, docs/api.md): what a party
reads about the negotiations and transfers a connector runs, in the API's conventions (problem details, the list
envelope, OpenAPI). The protocol's own endpoints, for connectors, are ``dataspace.api.dsp``."""
