// liblz4 through a system-library target; installed by scripts/setup-debian.sh (liblz4-dev).
#include <lz4.h>
