// A small blurhash decoder (https://blurha.sh, MIT-licensed algorithm): turns the
// pipeline's blurhash into RGBA pixels for a placeholder canvas.

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

const decode83 = (text) => [...text].reduce((value, char) => value * 83 + DIGITS.indexOf(char), 0);

const toLinear = (value) => {
  const v = value / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

const toSRGB = (value) => {
  const v = Math.max(0, Math.min(1, value));
  return Math.round((v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055) * 255);
};

const signPow = (value, exp) => Math.sign(value) * Math.abs(value) ** exp;

export function decodeBlurhash(hash, width, height, punch = 1) {
  if (!hash || hash.length < 6) throw new Error("blurhash too short");
  const size = decode83(hash[0]);
  const ny = Math.floor(size / 9) + 1;
  const nx = (size % 9) + 1;
  if (hash.length !== 4 + 2 * nx * ny) throw new Error("blurhash length does not match its components");
  const maxAc = (decode83(hash[1]) + 1) / 166;
  const dc = decode83(hash.slice(2, 6));
  const colours = [[toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]];
  for (let i = 1; i < nx * ny; i++) {
    const v = decode83(hash.slice(4 + i * 2, 6 + i * 2));
    colours.push([Math.floor(v / 361), Math.floor(v / 19) % 19, v % 19].map((q) => signPow((q - 9) / 9, 2) * maxAc * punch));
  }
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ny; j++) {
        const cy = Math.cos((Math.PI * y * j) / height);
        for (let i = 0; i < nx; i++) {
          const basis = Math.cos((Math.PI * x * i) / width) * cy;
          const c = colours[i + j * nx];
          r += c[0] * basis;
          g += c[1] * basis;
          b += c[2] * basis;
        }
      }
      const p = 4 * (x + y * width);
      pixels[p] = toSRGB(r);
      pixels[p + 1] = toSRGB(g);
      pixels[p + 2] = toSRGB(b);
      pixels[p + 3] = 255;
    }
  }
  return pixels;
}

// The average colour alone (the first component): no pixels to compute, for a placeholder that costs nothing.
export function blurhashAverage(hash) {
  if (!hash || hash.length < 6) return null;
  const dc = decode83(hash.slice(2, 6));
  return `rgb(${dc >> 16}, ${(dc >> 8) & 255}, ${dc & 255})`;
}
