"""One blueprint per feature; each view is a thin call into ``cityrank.service`` and ``web.respond``."""
