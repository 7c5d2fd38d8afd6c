"""Pure HTTP semantics shared by every server and middleware: one module per rule."""
