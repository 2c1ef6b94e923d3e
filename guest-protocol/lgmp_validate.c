#include "vg/lgmp.h"
