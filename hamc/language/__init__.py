"""The .ham language: its syntax tree (syntax.py) and the parser (parse.py) from text to Program."""
