"""TL code generator: schema/ → tl/generated/."""
