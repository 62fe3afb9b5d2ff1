"""The gettext catalogs (`{en,ru,uk}/LC_MESSAGES/*.po`), a package so that the wheel ships them
as package data; bot/base/i18n.py reads them with importlib.resources."""
