/* wasm/fiber.c - intentionally empty on asyncify-rt: see wasm/fiber.h. */
#include "wasm/fiber.h"
