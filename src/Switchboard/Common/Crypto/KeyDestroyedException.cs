using System.Security.Cryptography;

namespace Switchboard.Common.Crypto;

/// <summary>The key that sealed a value has been crypto-erased: the value is gone for good.</summary>
public sealed class KeyDestroyedException : CryptographicException
{
    public KeyDestroyedException()
        : base("The data key has been erased.")
    {
    }

    public KeyDestroyedException(string message)
        : base(message)
    {
    }

    public KeyDestroyedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
