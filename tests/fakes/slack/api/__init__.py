"""All Web API methods the fake implements."""

from .chat import methods as chat_methods
from .conversations import methods as conversation_methods
from .files import methods as file_methods
from .misc import methods as misc_methods
from .table import Method, MethodTable

METHODS = MethodTable().merge(misc_methods, chat_methods, conversation_methods, file_methods)

__all__ = ["METHODS", "Method", "MethodTable"]
