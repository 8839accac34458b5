"""Administrative regions of Inner Mongolia (盟市 and 旗县/市/区), GB/T 2260 codes."""
