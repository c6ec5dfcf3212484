// Symbol visibility for libflr: everything is hidden unless marked FLR_EXPORT.
#pragma once

#if defined(FLR_BUILDING_LIBRARY)
#define FLR_EXPORT __attribute__((visibility("default")))
#else
#define FLR_EXPORT
#endif
