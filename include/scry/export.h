/*
 * SCRY_API marks the functions that libscry.so exports; the library is
 * built with -fvisibility=hidden, so everything else stays inside it (the
 * ABI is exactly what include/scry/ declares).
 */
#ifndef SCRY_EXPORT_H
#define SCRY_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SCRY_API __attribute__((visibility("default")))
#else
#define SCRY_API
#endif

#endif
