"""One blueprint per feature; each view is a thin call into ``web.services`` / renderers."""
