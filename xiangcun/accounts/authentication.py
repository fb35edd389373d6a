"""DRF authentication by the platform's own API tokens (accounts.tokens): `Authorization: Token <key>`."""
from rest_framework import authentication, exceptions

from . import tokens


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = tokens.authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效、已过期或已撤销")
        return token.user, token
