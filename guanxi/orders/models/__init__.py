"""Quote to cash: catalogue and prices, quotes, tenders, contracts and their reviews, sales
orders and their execution, invoices, payments and receivables, sales expenses."""

from guanxi.orders.models.catalog import CustomerGroup, PriceList, PriceListItem, Product
from guanxi.orders.models.common import DocumentQuerySet, Sequence
from guanxi.orders.models.deals import Contract, Document, Tender
from guanxi.orders.models.expenses import ExpenseClaim
from guanxi.orders.models.fulfilment import OrderLine, SalesOrder, Shipment, ShipmentLine
from guanxi.orders.models.quotes import Quote, QuoteLine
from guanxi.orders.models.receivables import Allocation, DunningReminder, Invoice, Payment
from guanxi.orders.models.reviews import Condition, Flow, Review, ReviewRule, ReviewStep

__all__ = [
    "Allocation", "Condition", "Contract", "CustomerGroup", "Document", "DocumentQuerySet",
    "DunningReminder", "ExpenseClaim", "Flow", "Invoice", "OrderLine", "Payment", "PriceList",
    "PriceListItem", "Product", "Quote", "QuoteLine", "Review", "ReviewRule", "ReviewStep",
    "SalesOrder", "Sequence", "Shipment", "ShipmentLine", "Tender",
]
