"""StreamField blocks for studio pages (home, portfolio)."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from galleries.renditions import image_summary


class ImageBlock(ImageChooserBlock):
    """An image that the API serialises with its renditions, so a client site needs no second request."""

    def get_api_representation(self, value, context=None):
        if value is None:
            return None
        return image_summary(value, (context or {}).get("request"))


class HeroBlock(blocks.StructBlock):
    image = ImageBlock()
    heading = blocks.CharBlock(max_length=120)
    subheading = blocks.CharBlock(max_length=240, required=False)

    class Meta:
        icon = "image"
        template = "blocks/hero.html"


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=240)
    alt = blocks.CharBlock(required=False, max_length=240, help_text="Describe the photo for screen readers.")


class PhotoGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120)
    photos = blocks.ListBlock(ImageWithCaptionBlock())

    class Meta:
        icon = "grip"
        template = "blocks/photo_grid.html"


class TestimonialBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    author = blocks.CharBlock(max_length=120)

    class Meta:
        icon = "openquote"
        template = "blocks/testimonial.html"


class InquiryFormBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Tell us about your day", max_length=120)
    button_label = blocks.CharBlock(default="Send inquiry", max_length=40)

    class Meta:
        icon = "mail"
        template = "blocks/inquiry_form.html"


class StudioStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    heading = blocks.CharBlock(form_classname="title", icon="title", template="blocks/heading.html")
    paragraph = blocks.RichTextBlock(icon="pilcrow")
    photo_grid = PhotoGridBlock()
    testimonial = TestimonialBlock()
    inquiry_form = InquiryFormBlock()
