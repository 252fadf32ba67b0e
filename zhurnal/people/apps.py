from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhurnal.people"
    label = "people"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from zhurnal.people.security import on_user_logged_in

        # The sign-in policy (second factor, idle timeout) is decided at every login.
        user_logged_in.connect(on_user_logged_in, dispatch_uid="people.sign_in_policy")
        # Which privacy notice the family login has accepted, kept in its session.
        from zhurnal.people.privacy.middleware import privacy_on_login

        user_logged_in.connect(privacy_on_login, dispatch_uid="people.privacy_notice")
