"""The short public link and the per-unit token link, at the site root because they are
printed in letters and typed by hand."""
urlpatterns: list = []
