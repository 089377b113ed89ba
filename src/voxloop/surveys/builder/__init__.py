"""The survey builder: the admin pages that design, translate, preview and publish surveys."""
