"""Types generated from the API's OpenAPI document by ``codegen/generate.py``."""
