"""Date and number formats per language (``FORMAT_MODULE_PATH``).

English reads dates day first (7 Dec 2026), Chinese as 2026年12月7日; both group thousands with
a comma when a number is *shown* (the ``money`` and ``number`` filters force grouping).
``USE_THOUSAND_SEPARATOR`` stays off, so a value Django writes into a form input or a
template writes into a data attribute stays plain. Input formats list ISO first: a widget
renders its value with the first one, and browsers accept only ISO in date inputs."""
