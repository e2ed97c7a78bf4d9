"""The tenancy core's models, moved here from cms with their tables (cms_studio, cms_membership,
cms_studiodomain): state only, no data moves; their content types follow them so permissions,
log entries and references keep pointing at the same rows."""

import django.db.models.deletion
import django.db.models.functions.text
import studios.models
from django.conf import settings
from django.db import migrations, models


MODELS = ("studio", "membership", "studiodomain")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="studios", model=model).exists():
            ContentType.objects.filter(app_label="cms", model=model).update(app_label="studios")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="cms", model=model).exists():
            ContentType.objects.filter(app_label="studios", model=model).update(app_label="cms")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('cms', '0005_studio_logo_white_label'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('galleries', '0003_gallery_expiry_reminders'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Studio',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('slug', models.SlugField(help_text='Your site lives at <slug>.<platform domain>.', unique=True)),
                        ('contact_email', models.EmailField(blank=True, max_length=254)),
                        ('time_zone', models.CharField(default='UTC', max_length=64, validators=[studios.models.validate_time_zone])),
                        ('currency', models.CharField(default='USD', help_text='ISO 4217 code, e.g. USD, EUR, GBP.', max_length=3)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('tagline', models.CharField(blank=True, max_length=200)),
                        ('primary_color', models.CharField(default='#1f2933', max_length=7)),
                        ('accent_color', models.CharField(default='#c8a97e', max_length=7)),
                        ('font_family', models.CharField(default="Georgia, 'Times New Roman', serif", max_length=80)),
                        ('white_label', models.BooleanField(default=False)),
                        ('preview_url', models.URLField(blank=True, help_text="Your client site's preview page, e.g. https://example.com/preview")),
                        ('collection', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='studio', to='wagtailcore.collection')),
                        ('group', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='studio', to='auth.group')),
                        ('home_page', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.WAGTAIL_PAGE_MODEL)),
                        ('logo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='galleries.studioimage')),
                        ('site', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='studio', to='wagtailcore.site')),
                    ],
                    options={
                        'db_table': 'cms_studio',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('staff', 'Staff')], default='staff', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('studio', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='studios.studio')),
                    ],
                    options={
                        'db_table': 'cms_membership',
                        'constraints': [models.UniqueConstraint(fields=('studio', 'user'), name='unique_membership')],
                    },
                ),
                migrations.CreateModel(
                    name='StudioDomain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hostname', models.CharField(help_text='e.g. photos.example.com (no scheme, no port)', max_length=253)),
                        ('verification_token', models.CharField(default=studios.models.new_verification_token, editable=False, max_length=80)),
                        ('is_verified', models.BooleanField(default=False)),
                        ('verified_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('studio', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='domains', to='studios.studio')),
                    ],
                    options={
                        'db_table': 'cms_studiodomain',
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('hostname'), name='unique_domain_hostname')],
                    },
                ),
                ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
