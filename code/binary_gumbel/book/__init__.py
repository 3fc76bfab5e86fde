"""The book layer: what a chapter shows, built on the layers below.

Figures (the style and one module per subject), the explorable figure, the verdict report,
the demos, and the prose formatters that turn results into the strings a chapter shows.
Nothing below imports this package. Importing it loads none of its modules.
"""
