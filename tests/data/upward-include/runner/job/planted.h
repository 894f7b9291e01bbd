// A planted upward include: the layer check must fail on it (ctest layers_check_catches_an_upward_include).
#pragma once
#include "report/summary.h"
