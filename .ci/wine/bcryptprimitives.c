/* A stand-in for Windows' bcryptprimitives.dll, for running the Windows build under wine 8
 * (Debian 12), which lacks it. Rust's standard library takes its random numbers from
 * ProcessPrng in this DLL, which every Windows 10 and 11 has; here it asks the system RNG
 * through BCryptGenRandom instead. Used only by .ci/run's wine tests, never shipped. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
