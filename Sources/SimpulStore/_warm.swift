import GRDB
import Logging
import SimpulDomain
