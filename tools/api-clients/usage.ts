// Compiled with `tsc --strict` against types generated from docs/openapi.yaml by openapi-typescript
// (tests/frontend_api/test_generated_clients.py): what a TypeScript client site writes must type-check, and a
// mistake must not. `./api` is generated next to this file by the test.
import type { components, paths } from "./api";

type Package = components["schemas"]["Package"];
type Packages = paths["/api/client/packages/"]["get"]["responses"][200]["content"]["application/json"];
type UnlockBody = NonNullable<paths["/api/client/galleries/unlock/"]["post"]["requestBody"]>["content"]["application/json"];
type PhotoPage = paths["/api/client/galleries/{gallery_id}/photos/"]["get"]["responses"][200]["content"]["application/json"];
type RemoveFavorite = paths["/api/client/galleries/{gallery_id}/favorites/"]["delete"]["parameters"]["query"];
type Booked = paths["/api/client/bookings/"]["post"]["responses"][201]["content"]["application/json"];

export function priceLabel(pkg: Package): string {
  const cover = pkg.cover_image ? pkg.cover_image.renditions.thumb.url : "";
  return `${pkg.name}: ${(pkg.price / 100).toFixed(2)} ${pkg.currency} (${pkg.duration_minutes} min) ${cover}`;
}

export function cheapest(packages: Packages): Package | undefined {
  return [...packages].sort((a, b) => a.price - b.price)[0];
}

export const unlock: UnlockBody = { code: "WEDDING24" };

export function thumbs(page: PhotoPage): string[] {
  return page.results.map((photo) => photo.renditions.thumb?.url ?? "");
}

export const removal: RemoveFavorite = { photo: 1, list: "Favourites" };

export function nextStep(booking: Booked): string | null {
  return booking.invoice ? `/invoices/${booking.invoice.token}/` : null;
}

// @ts-expect-error: a price is a number of minor units, never a string
export const wrongPrice: Package["price"] = "250.00";

// @ts-expect-error: the DELETE needs the photo
export const noPhoto: RemoveFavorite = { list: "Favourites" };
