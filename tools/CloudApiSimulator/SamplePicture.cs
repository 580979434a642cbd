using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CloudApiSimulator;

/// <summary>
/// The picture a simulated customer sends when no file is given: a parcel with a split corner on a
/// table (the demo's "This arrived damaged"), drawn here and encoded as a real PNG, so media fetches,
/// hashes, thumbnails and the dashboard all handle a real image.
/// </summary>
public static class SamplePicture
{
    public const int Width = 480;
    public const int Height = 360;

    private static readonly Lazy<byte[]> Png = new(Draw);

    public static byte[] Bytes => Png.Value;

    private static byte[] Draw()
    {
        var rgb = new byte[Width * Height * 3];
        void Set(int x, int y, (int R, int G, int B) c)
        {
            if (x < 0 || y < 0 || x >= Width || y >= Height)
            {
                return;
            }

            var i = ((y * Width) + x) * 3;
            rgb[i] = (byte)c.R;
            rgb[i + 1] = (byte)c.G;
            rgb[i + 2] = (byte)c.B;
        }

        // A wall fading into a wooden table.
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                Set(x, y, y < 230
                    ? (226 - (y / 12), 232 - (y / 14), 238 - (y / 10))
                    : (150 + ((x / 3 + y) % 23), 104 + ((x / 5) % 11), 62));
            }
        }

        // The parcel: front face, top face and side face, as polygons.
        Fill([(120, 150), (300, 150), (300, 290), (120, 290)], (196, 146, 92));
        Fill([(120, 150), (170, 110), (350, 110), (300, 150)], (218, 172, 118));
        Fill([(300, 150), (350, 110), (350, 250), (300, 290)], (160, 114, 68));

        // Packing tape across the top and down the front.
        Fill([(195, 150), (245, 110), (275, 110), (225, 150)], (236, 222, 180));
        Fill([(195, 150), (225, 150), (225, 290), (195, 290)], (228, 212, 168));

        // The split corner: a dark jagged tear and a flap bent out.
        Fill([(300, 200), (332, 176), (350, 200), (326, 236)], (92, 62, 36));
        Fill([(300, 200), (286, 222), (310, 246), (326, 236)], (120, 84, 50));
        Line(250, 290, 262, 270, (70, 46, 26));
        Line(262, 270, 255, 252, (70, 46, 26));
        Line(255, 252, 270, 236, (70, 46, 26));

        // A shadow under the parcel.
        for (var y = 291; y < 300; y++)
        {
            for (var x = 124; x < 345; x++)
            {
                Set(x, y, (110, 76, 46));
            }
        }

        return Encode(rgb);

        void Fill((int X, int Y)[] polygon, (int R, int G, int B) colour)
        {
            var top = polygon.Min(p => p.Y);
            var bottom = polygon.Max(p => p.Y);
            for (var y = top; y <= bottom; y++)
            {
                var crossings = new List<double>();
                for (var i = 0; i < polygon.Length; i++)
                {
                    var (a, b) = (polygon[i], polygon[(i + 1) % polygon.Length]);
                    if ((a.Y <= y && b.Y > y) || (b.Y <= y && a.Y > y))
                    {
                        crossings.Add(a.X + ((double)(y - a.Y) / (b.Y - a.Y) * (b.X - a.X)));
                    }
                }

                crossings.Sort();
                for (var k = 0; k + 1 < crossings.Count; k += 2)
                {
                    for (var x = (int)Math.Ceiling(crossings[k]); x <= (int)crossings[k + 1]; x++)
                    {
                        Set(x, y, colour);
                    }
                }
            }
        }

        void Line(int x0, int y0, int x1, int y1, (int R, int G, int B) colour)
        {
            var steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0));
            for (var s = 0; s <= steps; s++)
            {
                var x = x0 + ((x1 - x0) * s / Math.Max(1, steps));
                var y = y0 + ((y1 - y0) * s / Math.Max(1, steps));
                for (var d = -1; d <= 1; d++)
                {
                    Set(x + d, y, colour);
                }
            }
        }
    }

    /// <summary>8-bit RGB, no interlace, each scanline with filter 0, one IDAT chunk.</summary>
    private static byte[] Encode(byte[] rgb)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < Height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(rgb, y * Width * 3, Width * 3);
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8;
        header[9] = 2;
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
