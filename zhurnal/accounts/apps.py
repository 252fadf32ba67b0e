from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhurnal.accounts"
    label = "accounts"
