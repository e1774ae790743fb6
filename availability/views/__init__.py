"""The availability pages, one module per area; ``urls.py`` routes to them."""
