"""One controller per kind of name: account, container, object."""
