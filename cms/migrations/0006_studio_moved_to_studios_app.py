"""Studio, Membership and StudioDomain moved to the studios app. State only: their tables
(cms_studio, cms_membership, cms_studiodomain) and rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0005_studio_logo_white_label'),
        ('billing', '0003_studio_moved_to_studios_app'),
        ('bookings', '0008_studio_moved_to_studios_app'),
        ('contracts', '0002_studio_moved_to_studios_app'),
        ('crm', '0004_studio_moved_to_studios_app'),
        ('frontend_api', '0002_studio_moved_to_studios_app'),
        ('galleries', '0004_studio_moved_to_studios_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='studio',
                    name='collection',
                ),
                migrations.RemoveField(
                    model_name='studio',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='studio',
                    name='home_page',
                ),
                migrations.RemoveField(
                    model_name='studio',
                    name='logo',
                ),
                migrations.RemoveField(
                    model_name='studio',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='studiodomain',
                    name='studio',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Studio',
                ),
                migrations.DeleteModel(
                    name='StudioDomain',
                ),
    
            ],
        ),
    ]
