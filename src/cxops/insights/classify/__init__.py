"""Text classification behind automatic tagging (category / product / type suggestions).

Pure Python (numpy, scipy, scikit-learn, Kiwi); no Django. See `model.TextClassifier`.
"""

from cxops.insights.classify.features import FeatureParams
from cxops.insights.classify.model import ModelParams, Prediction, TextClassifier, TrainReport

__all__ = ["FeatureParams", "ModelParams", "Prediction", "TextClassifier", "TrainReport"]
